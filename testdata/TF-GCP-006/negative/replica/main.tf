resource "google_sql_database_instance" "replica" {
  name                 = "main-replica"
  database_version     = "POSTGRES_15"
  master_instance_name = google_sql_database_instance.main.name

  settings {
    tier = "db-f1-micro"
  }
}

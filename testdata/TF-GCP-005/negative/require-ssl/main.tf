resource "google_sql_database_instance" "legacy" {
  name             = "legacy"
  database_version = "POSTGRES_13"

  settings {
    tier = "db-f1-micro"

    ip_configuration {
      require_ssl = true
    }
  }
}

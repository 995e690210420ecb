resource "google_container_node_pool" "workers" {
  name    = "workers"
  cluster = google_container_cluster.main.id

  node_config {
    machine_type = "e2-standard-4"
  }
}

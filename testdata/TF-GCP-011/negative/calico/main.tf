resource "google_container_cluster" "main" {
  name     = "main"
  location = "europe-west1"

  network_policy {
    enabled  = true
    provider = "CALICO"
  }
}

resource "google_compute_instance" "web" {
  name         = "web"
  machine_type = "e2-small"
  zone         = "europe-west1-b"

  service_account {
    scopes = ["cloud-platform"]
  }
}

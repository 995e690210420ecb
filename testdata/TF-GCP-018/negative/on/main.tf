resource "google_compute_instance" "web" {
  name         = "web"
  machine_type = "e2-small"
  zone         = "europe-west1-b"

  shielded_instance_config {
    enable_secure_boot = true
  }
}

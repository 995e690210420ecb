resource "google_compute_instance" "web" {
  name         = "web"
  machine_type = "e2-small"
  zone         = "europe-west1-b"

  metadata = {
    block-project-ssh-keys = true
  }
}

resource "google_compute_instance" "oslogin" {
  name         = "oslogin"
  machine_type = "e2-small"
  zone         = "europe-west1-b"

  metadata = {
    enable-oslogin = "TRUE"
  }
}

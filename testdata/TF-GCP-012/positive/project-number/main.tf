data "google_project" "this" {}

resource "google_compute_instance" "worker" {
  name         = "worker"
  machine_type = "e2-small"
  zone         = "europe-west1-b"

  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }

  network_interface {
    network = "default"
  }

  # The default Compute Engine account, spelled out with the project number.
  service_account {
    email  = "${data.google_project.this.number}-compute@developer.gserviceaccount.com"
    scopes = ["cloud-platform"]
  }
}

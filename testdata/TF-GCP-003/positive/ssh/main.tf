resource "google_compute_firewall" "ssh" {
  name    = "allow-ssh"
  network = google_compute_network.main.name

  allow {
    protocol = "tcp"
    ports    = ["22", "8000-8080"]
  }

  source_ranges = ["0.0.0.0/0"]
}

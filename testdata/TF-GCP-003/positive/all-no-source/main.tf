resource "google_compute_firewall" "everything" {
  name    = "allow-everything"
  network = "default"

  allow {
    protocol = "all"
  }
}

variable "global" {
  type = bool
}

# A proxy-only subnet either way: neither purpose supports flow logs.
resource "google_compute_subnetwork" "proxy" {
  name          = "proxy-only"
  ip_cidr_range = "10.129.0.0/23"
  network       = google_compute_network.main.id
  purpose       = var.global ? "GLOBAL_MANAGED_PROXY" : "REGIONAL_MANAGED_PROXY"
  role          = "ACTIVE"
}

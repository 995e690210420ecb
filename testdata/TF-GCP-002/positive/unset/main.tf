resource "google_storage_bucket" "data" {
  name     = "example-data"
  location = "EU"
}

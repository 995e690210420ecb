resource "google_storage_bucket" "assets" {
  name     = "example-assets"
  location = "EU"
}

resource "google_storage_bucket_iam_member" "public" {
  bucket = google_storage_bucket.assets.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

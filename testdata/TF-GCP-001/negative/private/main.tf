resource "google_storage_bucket_iam_binding" "readers" {
  bucket  = google_storage_bucket.assets.name
  role    = "roles/storage.objectViewer"
  members = ["group:readers@example.com", "serviceAccount:cdn@example.iam.gserviceaccount.com"]
}

resource "google_bigquery_dataset" "exports" {
  dataset_id = "exports"
  location   = "EU"
}

resource "google_bigquery_dataset_iam_member" "public" {
  dataset_id = google_bigquery_dataset.exports.dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = "allUsers"
}

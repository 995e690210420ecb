resource "google_bigquery_dataset" "analytics" {
  dataset_id = "analytics"
  location   = "EU"

  access {
    role          = "READER"
    special_group = "allAuthenticatedUsers"
  }
}

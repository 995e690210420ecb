resource "google_project_iam_member" "ci" {
  project = "example-project"
  role    = "roles/editor"
  member  = "serviceAccount:ci@example.iam.gserviceaccount.com"
}

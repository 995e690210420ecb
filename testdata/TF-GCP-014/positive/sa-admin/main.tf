resource "google_project_iam_member" "app" {
  project = "example-project"
  role    = "roles/storage.admin"
  member  = "serviceAccount:app@example-project.iam.gserviceaccount.com"
}

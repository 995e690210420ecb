resource "google_service_account_iam_member" "deployer" {
  service_account_id = google_service_account.app.name
  role               = "roles/iam.serviceAccountUser"
  member             = "user:dev@example.com"
}

resource "google_project_iam_member" "admin-human" {
  project = "example-project"
  role    = "roles/storage.admin"
  member  = "group:storage-admins@example.com"
}

resource "google_project_iam_member" "app" {
  project = "example-project"
  role    = "roles/storage.objectViewer"
  member  = "serviceAccount:app@example-project.iam.gserviceaccount.com"
}

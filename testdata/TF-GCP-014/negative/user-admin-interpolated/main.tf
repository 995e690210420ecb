variable "admin_email" {
  type = string
}

variable "project" {
  type = string
}

# A person, not a service account.
resource "google_project_iam_member" "admin" {
  project = var.project
  role    = "roles/compute.admin"
  member  = "user:${var.admin_email}"
}

# A service account with a narrow role.
resource "google_project_iam_member" "reader" {
  project = var.project
  role    = "roles/storage.objectViewer"
  member  = "serviceAccount:${google_service_account.reader.email}"
}

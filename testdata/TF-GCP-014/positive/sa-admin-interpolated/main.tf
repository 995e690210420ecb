resource "google_service_account" "ci" {
  account_id = "ci-deployer"
}

# The address is known only after apply; the member type is known now.
resource "google_project_iam_member" "ci" {
  project = var.project
  role    = "roles/editor"
  member  = "serviceAccount:${google_service_account.ci.email}"
}

resource "google_project_iam_binding" "admins" {
  project = var.project
  role    = "roles/compute.admin"
  members = [
    "serviceAccount:${var.sa_name}@${var.project}.iam.gserviceaccount.com",
  ]
}

variable "project" {
  type = string
}

variable "sa_name" {
  type = string
}

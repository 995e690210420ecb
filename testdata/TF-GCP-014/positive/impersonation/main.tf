resource "google_project_iam_binding" "deployers" {
  project = "example-project"
  role    = "roles/iam.serviceAccountTokenCreator"
  members = ["group:deployers@example.com"]
}

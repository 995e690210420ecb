resource "google_organization_iam_binding" "owners" {
  org_id  = "123456789012"
  role    = "roles/owner"
  members = ["group:platform@example.com"]
}

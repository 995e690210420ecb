resource "google_folder_iam_member" "deployers" {
  folder = "folders/123456789012"
  role   = "roles/iam.serviceAccountUser"
  member = "group:deployers@example.com"
}

resource "google_organization_iam_binding" "token_creators" {
  org_id  = "123456789"
  role    = "roles/iam.serviceAccountTokenCreator"
  members = ["group:platform@example.com"]
}

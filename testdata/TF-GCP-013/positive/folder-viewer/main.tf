resource "google_folder_iam_member" "auditors" {
  folder = "folders/123456789012"
  role   = "roles/viewer"
  member = "group:auditors@example.com"
}

resource "google_storage_bucket_acl" "legacy" {
  bucket      = "example-legacy"
  role_entity = ["OWNER:user-ops@example.com", "READER:allAuthenticatedUsers"]
}

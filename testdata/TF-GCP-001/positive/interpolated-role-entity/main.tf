variable "public_role" {
  type = string
}

resource "google_storage_bucket" "site" {
  name     = "example-site"
  location = "EU"
}

# Whichever role the variable names, it is given to anyone on the internet.
resource "google_storage_bucket_acl" "site" {
  bucket      = google_storage_bucket.site.name
  role_entity = ["OWNER:project-owners-${var.project_number}", "${var.public_role}:allUsers"]
}

variable "project_number" {
  type = string
}

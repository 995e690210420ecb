// rampart:ignore[public-bucket-acl] public website assets, served to anyone
resource "aws_s3_bucket" "site" {
  bucket = "example-site"
  acl    = "public-read"
}

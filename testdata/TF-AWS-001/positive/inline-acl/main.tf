resource "aws_s3_bucket" "site" {
  bucket = "example-site-assets"
  acl    = "public-read"

  tags = {
    Team = "web"
  }
}

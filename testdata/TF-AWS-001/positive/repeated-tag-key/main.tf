locals {
  # Terraform keeps the last value of a key given twice.
  tags = {
    team  = "data"
    owner = "platform"
    team  = "analytics"
  }
}

resource "aws_s3_bucket" "site" {
  bucket = "example-site"
  tags   = merge(local.tags, { Name = "site", Name = "public-site" })
}

resource "aws_s3_bucket_acl" "site" {
  bucket = aws_s3_bucket.site.id
  acl    = "public-read"
}

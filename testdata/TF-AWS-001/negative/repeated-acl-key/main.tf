locals {
  # The last value wins: the bucket is private.
  acl = {
    site = "public-read"
    site = "private"
  }
  modes = { for name, acl in local.acl : name => acl == "private"
    ? "closed"
    : "open" }
}

resource "aws_s3_bucket" "site" {
  bucket = "example-site"
  tags   = { Access = local.modes["site"] }
}

resource "aws_s3_bucket_acl" "site" {
  bucket = aws_s3_bucket.site.id
  acl    = local.acl["site"]
}

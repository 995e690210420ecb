locals {
  buckets = {
    assets  = "public-read"
    backups = "private"
  }
}

resource "aws_s3_bucket" "each" {
  for_each = local.buckets
  bucket   = each.key
  acl      = each.value
}

resource "aws_s3_bucket" "counted" {
  count  = 3
  bucket = "logs-${count.index}"
  acl    = "public-read"
}

resource "aws_s3_bucket" "disabled" {
  count  = 0
  bucket = "never-created"
  acl    = "public-read"
}

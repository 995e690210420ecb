variable "buckets" {
  type = map(object({ public = bool }))
  default = {
    assets = { public = true }
    backup = { public = false }
  }
}

locals {
  acls = { for name, b in var.buckets : name => b.public
    ? "public-read"
    : "private" }
}

resource "aws_s3_bucket" "this" {
  for_each = var.buckets
  bucket   = "example-${each.key}"
}

resource "aws_s3_bucket_acl" "this" {
  for_each = var.buckets
  bucket   = aws_s3_bucket.this[each.key].id
  acl      = local.acls[each.key]
}

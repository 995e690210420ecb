variable "acl" {
  # Set in the pipeline: only the plan knows the value.
  type = string
}

resource "aws_s3_bucket" "site" {
  bucket = "example-site"
}

resource "aws_s3_bucket_acl" "site" {
  bucket = aws_s3_bucket.site.id
  acl    = var.acl
}

module "db" {
  source = "./db"
  public = true
}

module "cache" {
  source  = "example-org/cache/aws"
  version = "2.0.0"
  public  = var.cache_public
}

variable "cache_public" {
  type = bool
}

# S3 ignores public ACLs on a bucket whose access block sets ignore_public_acls.
resource "aws_s3_bucket" "archive" {
  bucket = "example-archive"
  acl    = "public-read"
}

resource "aws_s3_bucket_public_access_block" "archive" {
  bucket                  = aws_s3_bucket.archive.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

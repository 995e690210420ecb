resource "aws_s3_bucket" "assets" {
  bucket = "example-assets"
}

# Only two of the four settings are written: the other two default to false.
resource "aws_s3_bucket_public_access_block" "assets" {
  bucket                  = aws_s3_bucket.assets.id
  block_public_policy     = true
  restrict_public_buckets = true
}

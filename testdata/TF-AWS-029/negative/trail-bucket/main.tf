resource "aws_s3_bucket" "trail" {
  bucket = "example-trail"
}

resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = aws_s3_bucket.trail.id
}

resource "aws_s3_bucket" "site" {
  bucket = "example-site"
}

# Anyone can send a Referer header: the bucket is public.
resource "aws_s3_bucket_policy" "site" {
  bucket = aws_s3_bucket.site.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.site.arn}/*"
      Condition = {
        StringLike = { "aws:Referer" = "https://example.com/*" }
      }
    }]
  })
}

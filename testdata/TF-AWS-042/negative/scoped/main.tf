resource "aws_s3_bucket" "uploads" {
  bucket = "example-uploads"
}

data "aws_iam_policy_document" "uploader" {
  statement {
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.uploads.arn}/*"]
  }

  statement {
    actions   = ["s3:ListAllMyBuckets", "ec2:Describe*"]
    resources = ["*"]
  }
}

resource "aws_s3_bucket_policy" "data" {
  bucket = "data"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "arn:aws:s3:::data/*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
      }]
    }
  EOT
}

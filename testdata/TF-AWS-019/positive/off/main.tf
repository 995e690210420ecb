resource "aws_cloudtrail" "main" {
  name                       = "main"
  s3_bucket_name             = "audit-logs"
  is_multi_region_trail      = true
  enable_log_file_validation = false
  kms_key_id                 = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
}

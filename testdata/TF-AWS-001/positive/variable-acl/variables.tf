variable "bucket_acl" {
  type    = string
  default = "authenticated-read"
}

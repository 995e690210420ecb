variable "environment" {
  type    = string
  default = "prod"
}

variable "assets_acl" {
  description = "Canned ACL of the asset bucket"
  type        = string
  default     = "public-read"
}

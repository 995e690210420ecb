terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

locals {
  prefix = "shop-${var.environment}"
}

resource "aws_s3_bucket" "assets" {
  bucket = "${local.prefix}-assets"
}

resource "aws_s3_bucket_acl" "assets" {
  bucket = aws_s3_bucket.assets.id
  acl    = var.assets_acl
}

resource "aws_s3_bucket" "orders" {
  bucket = "${local.prefix}-orders"
}

resource "aws_s3_bucket_acl" "orders" {
  bucket = aws_s3_bucket.orders.id
  acl    = "private"
}

variable "acl" {
  default = "private"
}

variable "public" {
  type    = bool
  default = false
}

resource "aws_s3_bucket" "site" {
  bucket = "example-site"
  acl    = var.acl
}

resource "aws_db_instance" "app" {
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  publicly_accessible = var.public
}

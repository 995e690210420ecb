variable "public" {
  type    = bool
  default = true
}

resource "aws_rds_cluster_instance" "reader" {
  identifier          = "reader"
  cluster_identifier  = "app"
  instance_class      = "db.r6g.large"
  engine              = "aurora-postgresql"
  publicly_accessible = var.public
}

# Provisioned (the default mode): storage_encrypted defaults to false.
resource "aws_rds_cluster" "provisioned" {
  cluster_identifier          = "app"
  engine                      = "aurora-postgresql"
  engine_mode                 = "provisioned"
  master_username             = "app"
  manage_master_user_password = true
}

# Aurora Serverless v1: the provider's default for storage_encrypted is true in this mode.
resource "aws_rds_cluster" "serverless" {
  cluster_identifier          = "app"
  engine                      = "aurora-postgresql"
  engine_mode                 = "serverless"
  master_username             = "app"
  manage_master_user_password = true
}

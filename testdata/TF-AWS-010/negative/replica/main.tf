resource "aws_db_instance" "replica" {
  identifier              = "replica"
  instance_class          = "db.t4g.micro"
  replicate_source_db     = "app"
  backup_retention_period = 0
}

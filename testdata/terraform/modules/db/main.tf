variable "public" {
  default = false
}

variable "open_ssh" {
  default = false
}

resource "aws_db_instance" "this" {
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  publicly_accessible = var.public
}

resource "aws_security_group" "ssh" {
  count = var.open_ssh ? 1 : 0
  name  = "ssh"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

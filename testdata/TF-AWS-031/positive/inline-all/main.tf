resource "aws_network_acl" "public" {
  vpc_id = aws_vpc.main.id

  ingress {
    protocol        = "-1"
    rule_no         = 100
    action          = "allow"
    ipv6_cidr_block = "::/0"
    from_port       = 0
    to_port         = 0
  }
}

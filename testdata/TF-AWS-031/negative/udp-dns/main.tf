resource "aws_network_acl" "public" {
  vpc_id = aws_vpc.main.id

  # DNS over UDP; no administration service listens on UDP 20-25.
  ingress {
    protocol   = "udp"
    rule_no    = 100
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 20
    to_port    = 53
  }

  # The return traffic of outbound connections, over UDP as well.
  ingress {
    protocol   = "udp"
    rule_no    = 110
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 32768
    to_port    = 65535
  }
}

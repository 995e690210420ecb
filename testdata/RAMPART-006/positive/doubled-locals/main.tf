# Eight levels of eight copies: 64 bytes become 1 GiB.
locals {
  s0 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  s1 = "${local.s0}${local.s0}${local.s0}${local.s0}${local.s0}${local.s0}${local.s0}${local.s0}"
  s2 = "${local.s1}${local.s1}${local.s1}${local.s1}${local.s1}${local.s1}${local.s1}${local.s1}"
  s3 = "${local.s2}${local.s2}${local.s2}${local.s2}${local.s2}${local.s2}${local.s2}${local.s2}"
  s4 = "${local.s3}${local.s3}${local.s3}${local.s3}${local.s3}${local.s3}${local.s3}${local.s3}"
  s5 = "${local.s4}${local.s4}${local.s4}${local.s4}${local.s4}${local.s4}${local.s4}${local.s4}"
  s6 = "${local.s5}${local.s5}${local.s5}${local.s5}${local.s5}${local.s5}${local.s5}${local.s5}"
  s7 = "${local.s6}${local.s6}${local.s6}${local.s6}${local.s6}${local.s6}${local.s6}${local.s6}"
  s8 = "${local.s7}${local.s7}${local.s7}${local.s7}${local.s7}${local.s7}${local.s7}${local.s7}"
}

resource "aws_s3_bucket" "logs" {
  bucket = "logs"
  tags = {
    Name = local.s8
  }
}

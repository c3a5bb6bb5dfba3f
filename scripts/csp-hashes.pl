#!/usr/bin/perl
# Trunk post-build hook: pins trunk's inline start-up script in the Content-Security-Policy
# of the built index.html by its SHA-256, so the policy needs no 'unsafe-inline'. The
# script names hashed file names, so its hash changes with every build and is computed
# here. Touches only the staged index.html; fails the build if the policy is missing.
use strict;
use warnings;
use Digest::SHA qw(sha256_base64);

my $dir = $ENV{TRUNK_STAGING_DIR} or die "TRUNK_STAGING_DIR is not set\n";
my $file = "$dir/index.html";
open(my $in, '<:raw', $file) or die "$file: $!\n";
my $html = do { local $/; <$in> };
close($in);

my @hashes;
while ($html =~ m{<script\b(?![^>]*\bsrc=)[^>]*>(.*?)</script>}gs) {
    my $h = sha256_base64($1);
    $h .= '=' while length($h) % 4;
    push @hashes, "'sha256-$h'";
}
my $list = join(' ', @hashes);
$html =~ s{(<meta http-equiv="Content-Security-Policy" content="[^"]*script-src 'self' 'wasm-unsafe-eval')}{$1 $list}
    or die "$file: no Content-Security-Policy with script-src 'self' 'wasm-unsafe-eval'\n";

open(my $out, '>:raw', $file) or die "$file: $!\n";
print $out $html;
close($out);

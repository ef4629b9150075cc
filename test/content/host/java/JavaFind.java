import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * What SSM's validation does with an allowedPattern, for the tests: reads lines
 * "<base64 pattern>\t<base64 value>" on stdin and prints "<find()> <matches()>" for each, with
 * real java.util.regex. Base64 keeps line terminators inside values out of the line protocol.
 */
public class JavaFind {
  public static void main(String[] args) throws IOException {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    Base64.Decoder decoder = Base64.getDecoder();
    StringBuilder out = new StringBuilder();
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isEmpty()) continue;
      String[] parts = line.split("\t", -1);
      Pattern pattern = Pattern.compile(new String(decoder.decode(parts[0]), StandardCharsets.UTF_8));
      String value = new String(decoder.decode(parts[1]), StandardCharsets.UTF_8);
      out.append(pattern.matcher(value).find())
          .append(' ')
          .append(pattern.matcher(value).matches())
          .append('\n');
    }
    System.out.print(out);
  }
}

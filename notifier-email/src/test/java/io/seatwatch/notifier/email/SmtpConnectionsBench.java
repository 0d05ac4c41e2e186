package io.seatwatch.notifier.email;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/**
 * Not a test: the program behind bench/smtp.sh. Sends emails one after the other to GreenMail on this machine,
 * a connection per email (what {@link JavaMailSenderImpl#send} does) vs on {@link SmtpConnections}, and prints
 * the sending thread's CPU and the wall time per email. Rounds alternate the two, so JIT warm-up and machine
 * noise fall on both; the first round is warm-up and the table shows the median of the others.
 */
public final class SmtpConnectionsBench {

    public static void main(String[] args) throws Exception {
        int emails = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        GreenMail green = new GreenMail(new ServerSetup(0, "127.0.0.1", "smtp"));
        green.start();
        JavaMailSenderImpl mail = new JavaMailSenderImpl();
        mail.setHost("127.0.0.1");
        mail.setPort(green.getSmtp().getPort());
        EmailProperties.Connections defaults = new EmailProperties.Connections(4, Duration.ofSeconds(10),
                Duration.ofSeconds(30), Duration.ofSeconds(2), 100);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<double[]> perEmail = new ArrayList<>(); // {cpu, wall} per email; even = per email, odd = kept open
        try (SmtpConnections pool = new SmtpConnections(mail, defaults)) {
            for (int round = 1; round <= rounds; round++) {
                for (boolean keptOpen : new boolean[] {false, true}) {
                    long cpu = threads.getCurrentThreadCpuTime();
                    long wall = System.nanoTime();
                    for (int i = 0; i < emails; i++) {
                        MimeMessage message = email(mail, i);
                        if (keptOpen) {
                            pool.send(message);
                        } else {
                            mail.send(message);
                        }
                    }
                    double cpuMs = (threads.getCurrentThreadCpuTime() - cpu) / 1e6 / emails;
                    double wallMs = (System.nanoTime() - wall) / 1e6 / emails;
                    green.purgeEmailFromAllMailboxes();
                    System.out.printf("round %d, %s: sender CPU %.3f ms/email, wall %.3f ms/email%n", round,
                            name(keptOpen), cpuMs, wallMs);
                    if (round > 1) {
                        perEmail.add(new double[] {cpuMs, wallMs});
                    }
                }
            }
        } finally {
            green.stop();
        }
        double[] perConnection = median(perEmail, 0);
        double[] keptOpen = median(perEmail, 1);
        System.out.println();
        System.out.printf("%d emails per round, median of %d rounds after one warm-up round, GreenMail on this machine.%n%n",
                emails, rounds - 1);
        System.out.println("| SMTP connections | sender CPU ms/email | wall ms/email |");
        System.out.println("|---|---|---|");
        System.out.printf("| %s | %.3f | %.3f |%n", name(false), perConnection[0], perConnection[1]);
        System.out.printf("| %s | %.3f | %.3f |%n", name(true), keptOpen[0], keptOpen[1]);
        System.out.printf("| ratio | %.1fx less | %.1fx less |%n", perConnection[0] / keptOpen[0],
                perConnection[1] / keptOpen[1]);
    }

    private static String name(boolean keptOpen) {
        return keptOpen ? "kept open (SmtpConnections, max-emails 100)" : "one per email (JavaMailSenderImpl.send)";
    }

    /** Medians of the CPU and wall columns over the rows of one kind (rows alternate the two kinds). */
    private static double[] median(List<double[]> rows, int kind) {
        List<double[]> mine = new ArrayList<>();
        for (int i = kind; i < rows.size(); i += 2) {
            mine.add(rows.get(i));
        }
        double[] result = new double[2];
        for (int column = 0; column < 2; column++) {
            int c = column;
            double[] values = mine.stream().mapToDouble(r -> r[c]).sorted().toArray();
            result[column] = values.length % 2 == 1 ? values[values.length / 2]
                    : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
        }
        return result;
    }

    private static MimeMessage email(JavaMailSenderImpl mail, int i) throws Exception {
        MimeMessage message = new MimeMessage(mail.getSession());
        message.setFrom(new InternetAddress("no-reply@seatwatch.example"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("student" + i + "@example.edu"));
        message.setSubject("You are enrolled in CPSC 449-01: Back-end Engineering");
        message.setText("A seat freed up in CPSC 449-01 and you are enrolled.", "UTF-8");
        message.saveChanges();
        return message;
    }
}
